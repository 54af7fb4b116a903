// The checkpoint shipped with the build (plugins/shipped-model.ts), or null when there is none.
declare module 'virtual:edm-shipped-model' {
  /** What the build shipped: URL path relative to the page, file name, size in bytes. */
  const shipped: { path: string; name: string; bytes: number } | null;
  export default shipped;
}
