import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    // broker-api.ts is written by openapi-typescript (npm run openapi), in its own style.
    ignores: ['dist/**', 'coverage/**', '.tap/**', 'test/client/broker-api.ts']
  }),
  {
    // The local Unit stand-in and the broker talk only over HTTP, as the real
    // ones do: neither may import the other.
    files: ['src/sandbox/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../*', '!../sandbox/*'] }]
    }
  }
]
