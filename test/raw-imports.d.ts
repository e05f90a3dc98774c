// Vite imports a file's text with `?raw`: the drift tests compare committed
// generated files (schema.graphql, public/openapi.json) with what the code makes.
declare module "*.graphql?raw" {
  const text: string;
  export default text;
}
declare module "*.json?raw" {
  const text: string;
  export default text;
}
declare module "*.sql?raw" {
  const text: string;
  export default text;
}
declare module "*.example?raw" {
  const text: string;
  export default text;
}
