// Vite imports a file's text with `?raw` (test/graphql-transport.test.ts reads schema.graphql so).
declare module "*.graphql?raw" {
  const text: string;
  export default text;
}
