import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'coverage/**', '.tap/**'] }),
  {
    // The local Unit stand-in and the broker talk only over HTTP, as the real
    // ones do: neither may import the other.
    files: ['src/sandbox/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../*', '!../sandbox/*'] }]
    }
  }
]
