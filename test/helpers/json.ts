/**
 * The parsed JSON body of an answer, for tests that walk into it.
 *
 * The tests assert on the shape itself, so a wrong shape fails an assertion
 * (or throws) at run time; typing every answer up front would only restate
 * what the assertions already check.
 */
export type JsonBody = any

export async function jsonOf (response: Response): Promise<JsonBody> {
  return await response.json()
}
