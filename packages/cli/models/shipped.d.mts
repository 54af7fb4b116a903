// Types of shipped.mjs (models/shipped.json's reader).

/** models/shipped.json: the shipped files (names in the models folder) and the weight the model is sampled with. */
export interface Shipped {
  /** The class-conditional MNIST checkpoint (EMA weights). */
  model: string;
  /** Its autoguidance guide (an early snapshot of the same training run). */
  guide: string;
  /** The MNIST digit judge (`edm metrics --detector mnist`). */
  judge: string;
  /** The guidance weight `edm generate` samples the model with by default. */
  guidance: number;
}

/** Reads and checks `<modelsDir>/shipped.json` (errors name the file, the field and what was found). */
export function readShippedJson(modelsDir: string): Shipped;
