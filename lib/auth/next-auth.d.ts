import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    /** who signed in; the user's name and role are read afresh by `getViewer`, never from here */
    user: { id: string; email: string; name: string | null; sessionVersion: number };
  }
  interface User {
    /** the user's session version when they signed in (see lib/auth/session.ts) */
    sessionVersion?: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    /** the user's session version at sign-in; "sign out everywhere" bumps the user's, refusing this token */
    sv?: number;
  }
}
