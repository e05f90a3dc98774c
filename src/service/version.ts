// The Worker's version: package.json's, bundled at build time (esbuild keeps
// only this field of the file).
export { version as WORKER_VERSION } from "../../package.json";
