// The demo registry bundled with carewatch (copied from the province data
// given to the project; ids unchanged). Static data, not I/O: bundlers inline the JSON.
import facilities from "../data/facilities.json" with { type: "json" };

export const demoRegistryDocument: unknown = facilities;
