/** The caller command's entry: `npm run caller -- <command>`, or `node dist/callers/cli.js`. */
import { runCallerCommand } from './command.js'

// A reader that stops early (`list | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
})

process.exitCode = runCallerCommand(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text)
})
