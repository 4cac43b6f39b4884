/**
 * Accounts for integration tests. Nobody becomes admin by signing up first any more, so tests
 * that need an admin make one explicitly, as an operator would with `npm run admin -- promote`.
 */
import { setUserRoleByEmail, signUp, type SignUpInput } from "../users.ts";
import type { Viewer } from "../types.ts";

export async function signUpAdmin(input: SignUpInput): Promise<Viewer> {
  const user = await signUp(input);
  return setUserRoleByEmail(user.email, "admin");
}
