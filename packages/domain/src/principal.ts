/**
 * Who is asking: the one answer credentials give, whatever the transport (REST with a facility
 * key, tRPC and the socket with a display token or a session cookie). Rules about what a
 * principal may do are written against this type, once, in the domain (access.ts).
 */
export interface FacilityKeyPrincipal {
  kind: "facility_key";
  keyId: string;
  facilityId: string;
}

export interface DisplayPrincipal {
  kind: "display";
  displayId: string;
  name: string;
  /** The provinces the wall-board shows; empty = every province. */
  provinces: string[];
}

/**
 * The roles an account can hold. `admin`: everything; `manager`: reads the facilities of their
 * provinces (every province when none is named); `facility`: a facility's clerk, that facility only.
 */
export const ROLES = ["admin", "manager", "facility"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

/** A person logged in through a session. The email is the only personal datum carewatch keeps. */
export interface UserPrincipal {
  kind: "user";
  userId: string;
  email: string;
  role: Role;
  /** A manager's provinces; empty = every province (and always empty for the other roles). */
  provinces: string[];
  /** The clerk's facility (role `facility`), null for the other roles. */
  facilityId: string | null;
  /** The session this principal came from: logout and the socket sweep end it by id. */
  sessionId: string;
}

export type Principal = FacilityKeyPrincipal | DisplayPrincipal | UserPrincipal;
