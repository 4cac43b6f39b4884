/** The hub's navigation, once for the top bar, the phone menu and the account menu. */
export interface NavLink {
  href: string;
  label: string;
}

/** The main sections, in the top bar (and the phone menu). */
export const MAIN_LINKS: readonly NavLink[] = [
  { href: "/browse", label: "Browse" },
  { href: "/projects", label: "Projects" },
  { href: "/runs", label: "Runs" },
  { href: "/scans", label: "Scans" },
  { href: "/results", label: "Results" },
  { href: "/assets", label: "Assets" },
  { href: "/findings", label: "Findings" },
  { href: "/upload", label: "Upload" },
];

/** A signed-in user's own pages (the account menu), admins' pages after them. */
export function accountLinks(role: "user" | "admin"): NavLink[] {
  return [
    { href: "/runs", label: "Your runs" },
    { href: "/favourites", label: "Favourites" },
    { href: "/settings/tokens", label: "API tokens" },
    { href: "/settings/devices", label: "My devices" },
    { href: "/settings/security", label: "Security" },
    { href: "/audit", label: "Audit" },
    ...(role === "admin"
      ? [
          { href: "/admin/accounts", label: "Accounts" },
          { href: "/admin/policy", label: "Policy" },
          { href: "/admin/workers", label: "Workers" },
          { href: "/admin/retention", label: "Retention" },
          { href: "/admin/notifications", label: "Notifications" },
        ]
      : []),
  ];
}
