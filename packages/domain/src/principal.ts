/**
 * Who is asking: the one answer credentials give, whatever the transport (REST with a facility
 * key, tRPC and the socket with a display token; accounts join here as further kinds). Rules
 * about what a principal may do are written against this type, once, in the domain.
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
}

export type Principal = FacilityKeyPrincipal | DisplayPrincipal;

/** What a principal may read of the board: a facility key only its own facility, a display every one. */
export function mayReadFacility(p: Principal, facilityId: string): boolean {
  return p.kind === "display" || p.facilityId === facilityId;
}
