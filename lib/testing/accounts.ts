/**
 * Accounts for integration tests. Nobody becomes admin by signing up first any more, so tests
 * that need an admin make one explicitly, as an operator would with `npm run admin -- promote`.
 */
import { setUserRoleByEmail, signUp, type SignUpInput } from "../accounts/users.ts";
import type { Viewer } from "../types.ts";

export async function signUpAdmin(input: SignUpInput): Promise<Viewer> {
  const user = await signUp(input);
  return setUserRoleByEmail(user.email, "admin");
}

/** The cast most integration tests need: an admin (`root_1`) and two users, `alice` and `bob`. */
export async function signUpTestUsers(): Promise<{ root: Viewer; alice: Viewer; bob: Viewer }> {
  const root = await signUpAdmin({ email: "root@example.org", username: "root_1", password: "longenough" });
  const alice = await signUp({ email: "alice@example.org", username: "alice", password: "longenough" });
  const bob = await signUp({ email: "bob@example.org", username: "bob", password: "longenough" });
  return { root, alice, bob };
}
