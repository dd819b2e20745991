import { readFileSync } from 'node:fs'

export interface Instruction {
  keyword: string
  /** Everything after the keyword, continuation lines joined. */
  args: string
  /** 0 for the first FROM's stage, 1 for the next, and so on. */
  stage: number
}

export const ROOT = new URL('../../', import.meta.url)

export function readRepoFile (path: string): string {
  return readFileSync(new URL(path, ROOT), 'utf8')
}

/** The instructions of a Dockerfile, enough to check what it does. */
export function parseDockerfile (text: string): Instruction[] {
  let stage = -1
  // Docker joins a line ending in a backslash to the next one, indentation included.
  return text.replace(/\\\n/g, '').split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const keyword = (line.split(/\s/, 1)[0] ?? '').toUpperCase()
      if (keyword === 'FROM') stage++
      return { keyword, args: line.slice(keyword.length).trim(), stage }
    })
}

/** The exec-form command of a CMD or HEALTHCHECK instruction. */
export function execForm (instruction: Instruction | undefined): string[] {
  const json = instruction?.args.replace(/^(--\S+\s+)*CMD\s+/, '') ?? ''
  return JSON.parse(json) as string[]
}

/** The paths a `*` then `!path` .dockerignore lets into the build context. */
export function contextAllowlist (dockerignore: string): string[] {
  const lines = dockerignore.split('\n').map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  if (lines[0] !== '*') throw new Error('.dockerignore must start by leaving everything out')
  return lines.slice(1).map((line) => line.replace(/^!/, '').replace(/\/$/, ''))
}
