/** Vite's `?raw` import, which tests use to read the sample plan as text without node:fs. */
declare module "*.yaml?raw" {
  const text: string;
  export default text;
}
