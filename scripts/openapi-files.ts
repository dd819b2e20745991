/**
 * The files generated from the route schemas: the API document and the
 * client types a calling service would generate from it. `npm run openapi`
 * writes them; a test checks that the committed ones are what the code gives.
 */
import openapiTS, { astToString } from 'openapi-typescript'
import { openApiYaml } from '../src/openapi-document.js'

export const OPENAPI_FILE = new URL('../openapi.yaml', import.meta.url)
export const CLIENT_TYPES_FILE = new URL('../test/client/broker-api.ts', import.meta.url)

const CLIENT_TYPES_HEADER = [
  '// Generated from openapi.yaml by `npm run openapi` (openapi-typescript); do not edit.',
  '// The client tests use it the way a calling service would.',
  ''
].join('\n')

export { openApiYaml }

export async function clientTypes (document: string): Promise<string> {
  const ast = await openapiTS(document, { silent: true })
  return CLIENT_TYPES_HEADER + astToString(ast)
}
