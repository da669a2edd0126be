// The one import of the module the build makes from the API's document (apps/console/request-schemas.ts):
// it is no package, so the package rule does not apply to it.
// eslint-disable-next-line @nx/enforce-module-boundaries
export { registerAgent, registerTool, schemas, setPolicies, updateAgent, type SchemaError, type Validate } from 'virtual:request-schemas';
