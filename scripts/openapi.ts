// Writes openapi.yaml and the client types from the route schemas.
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { CLIENT_TYPES_FILE, OPENAPI_FILE, clientTypes, openApiYaml } from './openapi-files.js'

const document = await openApiYaml()
await writeFile(OPENAPI_FILE, document)
await writeFile(CLIENT_TYPES_FILE, await clientTypes(document))
for (const file of [OPENAPI_FILE, CLIENT_TYPES_FILE]) {
  process.stdout.write(`wrote ${fileURLToPath(file)}\n`)
}
