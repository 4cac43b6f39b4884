/**
 * Every action the audit trail records (one closed set): `audit()` takes only these, the audit
 * page filters by them (a whole group, `secret`, or one action) and shows each by its label. Pure.
 * Rows written before an action was renamed keep their text and are shown as they are.
 */
export const AUDIT_ACTIONS = {
  "user.signin": "signed in",
  "user.signin_refused": "sign-in refused",
  "user.signup": "signed up",
  "user.signup_email_in_use": "sign-up with an e-mail in use",
  "user.signout_everywhere": "signed out everywhere",
  "user.password_rehash": "password hash upgraded",
  "user.role": "hub role changed",
  "user.two_factor_on": "two-factor sign-in on",
  "user.two_factor_off": "two-factor sign-in off",
  "user.recovery_code_used": "recovery code used",
  "token.create": "API token created",
  "token.renew": "API token renewed",
  "token.revoke": "API token revoked",
  "invite.create": "hub invite created",
  "invite.revoke": "hub invite revoked",
  "project.create": "project created",
  "project.update": "project changed",
  "project.window": "authorised window changed",
  "project.scope": "scope changed",
  "project.delete": "project deleted",
  "project.member.add": "member added",
  "project.member.role": "member's role changed",
  "project.member.remove": "member removed",
  "project.member.leave": "member left",
  "project.invite.create": "project invite created",
  "project.invite.revoke": "project invite revoked",
  "notify.rule.create": "notification rule created",
  "notify.rule.delete": "notification rule deleted",
  "secret.create": "secret created",
  "secret.update": "secret changed",
  "secret.delete": "secret deleted",
  "secret.use": "secret bound to a run",
  "secret.deliver": "secret sent to a worker",
  "secret.refused": "secret refused to a worker",
  "secret.rotate_key": "secrets key rotated",
  "run.start": "run started",
  "run.cancel": "run cancelled",
  "run.scope_blocked": "out-of-scope traffic blocked",
  "scan.create": "scan saved",
  "scan.update": "scan changed",
  "scan.delete": "scan deleted",
  "scan.disabled": "scan disabled",
  "results.export": "results exported",
  "package.download": "package downloaded",
  "audit.export": "audit trail exported",
  "report.download": "report downloaded",
  "evidence.download": "evidence bundle downloaded",
  "package.publish": "package published",
  "package.private": "package made private",
  "package.public": "package made public",
  "package.official": "package marked official",
  "package.unofficial": "official mark removed",
  "package.delete": "package deleted",
  "comment.hide": "comment hidden",
  "comment.unhide": "comment shown again",
  "comment.delete": "comment deleted",
  "version.delete": "version deleted",
  "grant.set": "privileges granted",
  "grant.revoke": "privileges revoked",
  "grant.operator": "example's privileges granted at start",
  "device.create": "device enrolled",
  "device.rename": "device renamed",
  "device.revoke": "device revoked",
  "worker-credential.create": "worker credential created",
  "worker-credential.revoke": "worker credential revoked",
  "metrics-token.create": "metrics token created",
  "metrics-token.revoke": "metrics token revoked",
  "settings.sign_up_mode": "sign-up mode changed",
  "settings.two_factor_required": "two-factor requirement changed",
  "settings.public_url": "public address changed",
  "settings.policy": "run policy changed",
  "settings.queue": "queue limits changed",
  "settings.devices": "device rules changed",
  "settings.retention": "retention changed",
  "settings.notify": "notification settings changed",
  "retention.apply": "old data deleted by retention",
  "file.upload": "file uploaded",
  "debug.start": "debug terminal opened",
  "debug.end": "debug terminal closed",
  "debug.refused": "debug terminal refused",
} as const satisfies Record<string, string>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

/** The group an action belongs to: what comes before its first dot (`secret.use` → `secret`). */
export function actionGroup(action: string): string {
  return action.split(".")[0];
}

/** Every group, in the order of the list above. */
export const AUDIT_ACTION_GROUPS: readonly string[] = [...new Set(Object.keys(AUDIT_ACTIONS).map(actionGroup))];

export function isAuditAction(value: string): value is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, value);
}

/** How an action reads on the audit page (one written before it had a label: itself). */
export function actionLabel(action: string): string {
  return isAuditAction(action) ? AUDIT_ACTIONS[action] : action;
}
