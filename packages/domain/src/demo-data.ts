// The demo registry and plan targets bundled with carewatch (copied from the province data
// given to the project; ids unchanged). Static data, not I/O: bundlers inline the JSON.
import facilities from "../data/facilities.json" with { type: "json" };
import targets from "../data/targets.json" with { type: "json" };

export const demoRegistryDocument: unknown = facilities;
export const demoTargetsDocument: unknown = targets;
