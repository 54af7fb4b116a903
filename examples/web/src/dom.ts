// The page's elements, looked up once by id, typed; a missing element is a clear error (index.html changed).

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`index.html: expected #${id} to be a ${type.name}, got ${el ? el.tagName : 'nothing'}`);
  return el;
}

/** Every element main.ts uses. */
export function elements() {
  return {
    backend: byId('backend', HTMLElement),
    model: byId('model', HTMLElement),
    form: byId('controls', HTMLFormElement),
    file: byId('file', HTMLInputElement),
    guide: byId('guide', HTMLElement),
    guideFile: byId('guide-file', HTMLInputElement),
    guidance: byId('guidance', HTMLInputElement),
    guideClear: byId('guide-clear', HTMLButtonElement),
    seed: byId('seed', HTMLInputElement),
    batch: byId('batch', HTMLInputElement),
    classIndex: byId('class', HTMLSelectElement),
    sampler: byId('sampler', HTMLSelectElement),
    options: byId('options', HTMLFieldSetElement),
    sample: byId('sample', HTMLButtonElement),
    cancel: byId('cancel', HTMLButtonElement),
    canvas: byId('grid', HTMLCanvasElement),
    progress: byId('progress', HTMLProgressElement),
    step: byId('step', HTMLElement),
    time: byId('time', HTMLElement),
    tensors: byId('tensors', HTMLElement),
    cli: byId('cli', HTMLElement),
    error: byId('error', HTMLElement),
  };
}

/** The page's elements. */
export type Elements = ReturnType<typeof elements>;
