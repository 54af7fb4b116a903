// The checkpoint shipped with the build and its autoguidance guide (plugins/shipped-model.ts), or null when
// there is none.
declare module 'virtual:edm-shipped-model' {
  /** A shipped file: URL path relative to the page, file name, size in bytes. */
  interface ShippedFile {
    path: string;
    name: string;
    bytes: number;
  }
  /**
   * The model, and the guide it is sampled with at weight `guidance` (`edm generate` without --net), or no guide;
   * `guidance` is null only where the build had no @edm/cli (so no models/shipped.json).
   */
  const shipped: (ShippedFile & ({ guide: ShippedFile; guidance: number } | { guide: null; guidance: number | null })) | null;
  export default shipped;
}
