/**
 * How field queries read lists, as a table: documents and queries with the documents MongoDB
 * matches. The cases come from MongoDB's manual ("Query an Array", "Query an Array of Embedded
 * Documents", `$elemMatch` (query)) plus the nmap shape of issue 17 and the edges the manual
 * states in words (a non-array under `$elemMatch`, empty lists, `$ne` inside a group). There is no
 * MongoDB here: `query.test.ts` checks that both forms of a case parse to one query, and
 * `results.int.test.ts` runs every case through `listDocuments` on the real PostgreSQL index.
 * Test data only.
 */

export interface QueryCase {
  /** what the case shows (the manual's example, or the rule) */
  what: string;
  /** the dataset whose documents it queries */
  dataset: keyof typeof DATASETS;
  /** the text form, when it has one */
  text?: string;
  /** MongoDB's filter, when it has one */
  json?: string;
  /** the labels of the documents matched, in the dataset's order */
  matches: string[];
}

export const DATASETS = {
  // "Query an Array"
  inventory: {
    journal: { item: "journal", qty: 25, tags: ["blank", "red"], dim_cm: [14, 21] },
    notebook: { item: "notebook", qty: 50, tags: ["red", "blank"], dim_cm: [14, 21] },
    paper: { item: "paper", qty: 100, tags: ["red", "blank", "plain"], dim_cm: [14, 21] },
    planner: { item: "planner", qty: 75, tags: ["blank", "red"], dim_cm: [22.85, 30] },
    postcard: { item: "postcard", qty: 45, tags: ["blue"], dim_cm: [10, 15.25] },
  },
  // "Query an Array of Embedded Documents"
  instock: {
    journal: { item: "journal", instock: [{ warehouse: "A", qty: 5 }, { warehouse: "C", qty: 15 }] },
    notebook: { item: "notebook", instock: [{ warehouse: "C", qty: 5 }] },
    paper: { item: "paper", instock: [{ warehouse: "A", qty: 60 }, { warehouse: "B", qty: 15 }] },
    planner: { item: "planner", instock: [{ warehouse: "A", qty: 40 }, { warehouse: "B", qty: 5 }] },
    postcard: { item: "postcard", instock: [{ warehouse: "B", qty: 15 }, { warehouse: "C", qty: 35 }] },
  },
  // `$elemMatch` (query), its two examples
  scores: {
    s1: { results: [82, 85, 88] },
    s2: { results: [75, 88, 89] },
  },
  products: {
    p1: { results: [{ product: "abc", score: 10 }, { product: "xyz", score: 5 }] },
    p2: { results: [{ product: "abc", score: 8 }, { product: "xyz", score: 7 }] },
    p3: { results: [{ product: "abc", score: 7 }, { product: "xyz", score: 8 }] },
    p4: { results: [{ product: "abc", score: 7 }, { product: "def", score: 8 }] },
  },
  // the nmap example's shape (issue 17): port 22 closed and 3000 open on one host
  scans: {
    closed22: { target: "t1", hosts: [{ ip: "10.0.0.1", ports: [{ port: 22, state: "closed" }, { port: 3000, state: "open" }] }] },
    open22: { target: "t2", hosts: [{ ip: "10.0.0.2", ports: [{ port: 22, state: "open", banner: "OpenSSH" }] }] },
    twoHosts: { target: "t3", hosts: [{ ip: "10.0.0.1", ports: [] }, { ip: "10.0.0.3", ports: [{ port: 22, state: "open" }] }] },
    notLists: { target: "t4", hosts: { ip: "10.0.0.4", ports: { port: 22, state: "open" } } },
    noPorts: { target: "t5", hosts: [{ ip: "10.0.0.5", ports: [] }] },
  },
  // lists of scalars, lists in lists, values that are not lists
  shapes: {
    list: { tags: ["x", "y"], n: [1, 5] },
    scalar: { tags: "x", n: 3 },
    nested: { tags: [["x"]], n: [[3]] },
    empty: { tags: [], n: [] },
    none: { other: 1 },
  },
} as const satisfies Record<string, Record<string, Record<string, unknown>>>;

export const QUERY_CASES: QueryCase[] = [
  // Query an Array
  { what: "an array contains an element", dataset: "inventory", text: "tags = red", json: '{"tags": "red"}', matches: ["journal", "notebook", "paper", "planner"] },
  { what: "an element satisfies a condition", dataset: "inventory", text: "dim_cm > 25", json: '{"dim_cm": {"$gt": 25}}', matches: ["planner"] },
  {
    what: "compound conditions on an array: one element may satisfy one, another the other",
    dataset: "inventory",
    text: "dim_cm > 15 and dim_cm < 20",
    json: '{"dim_cm": {"$gt": 15, "$lt": 20}}',
    matches: ["journal", "notebook", "paper", "postcard"],
  },
  {
    what: "one element satisfies every condition ($elemMatch on scalars)",
    dataset: "inventory",
    text: "dim_cm[] {@ > 22 and @ < 30}",
    json: '{"dim_cm": {"$elemMatch": {"$gt": 22, "$lt": 30}}}',
    matches: ["planner"],
  },
  // Query an Array of Embedded Documents
  { what: "a field of embedded documents in an array", dataset: "instock", text: "instock.qty <= 20", json: '{"instock.qty": {"$lte": 20}}', matches: ["journal", "notebook", "paper", "planner", "postcard"] },
  {
    what: "one embedded document satisfies several conditions",
    dataset: "instock",
    text: "instock[] {qty = 5 and warehouse = A}",
    json: '{"instock": {"$elemMatch": {"qty": 5, "warehouse": "A"}}}',
    matches: ["journal"],
  },
  {
    what: "one embedded document satisfies a range",
    dataset: "instock",
    text: "instock[] {qty > 10 and qty <= 20}",
    json: '{"instock": {"$elemMatch": {"qty": {"$gt": 10, "$lte": 20}}}}',
    matches: ["journal", "paper", "postcard"],
  },
  {
    what: "a combination of elements satisfies a range",
    dataset: "instock",
    text: "instock.qty > 10 and instock.qty <= 20",
    json: '{"instock.qty": {"$gt": 10, "$lte": 20}}',
    matches: ["journal", "paper", "planner", "postcard"],
  },
  {
    what: "a combination of elements satisfies equalities",
    dataset: "instock",
    text: "instock.qty = 5 and instock.warehouse = A",
    json: '{"instock.qty": 5, "instock.warehouse": "A"}',
    matches: ["journal", "planner"],
  },
  // $elemMatch (query)
  { what: "$elemMatch on scalars", dataset: "scores", text: "results[] {@ >= 80 and @ < 85}", json: '{"results": {"$elemMatch": {"$gte": 80, "$lt": 85}}}', matches: ["s1"] },
  {
    what: "$elemMatch on embedded documents",
    dataset: "products",
    text: "results[] {product = xyz and score >= 8}",
    json: '{"results": {"$elemMatch": {"product": "xyz", "score": {"$gte": 8}}}}',
    matches: ["p3"],
  },
  { what: "a single condition: $elemMatch may be left out", dataset: "products", text: "results[] {product = xyz}", json: '{"results": {"$elemMatch": {"product": "xyz"}}}', matches: ["p1", "p2", "p3"] },
  { what: "the same without a group", dataset: "products", text: "results.product = xyz", json: '{"results.product": "xyz"}', matches: ["p1", "p2", "p3"] },
  { what: "$ne inside $elemMatch: SOME element differs", dataset: "products", text: "results[] {product != xyz}", json: '{"results": {"$elemMatch": {"product": {"$ne": "xyz"}}}}', matches: ["p1", "p2", "p3", "p4"] },
  { what: "$ne without a group: NO element equals", dataset: "products", text: "results.product != xyz", json: '{"results.product": {"$ne": "xyz"}}', matches: ["p4"] },
  // the nmap shape (issue 17)
  {
    what: "separate conditions on a list may match different items (port 22 closed, 3000 open)",
    dataset: "scans",
    text: "hosts.ports.port = 22 and hosts.ports.state = open",
    json: '{"hosts.ports.port": 22, "hosts.ports.state": "open"}',
    matches: ["closed22", "open22", "twoHosts", "notLists"],
  },
  { what: "[] in a plain path changes nothing", dataset: "scans", text: "hosts[].ports[].port = 22 and hosts[].ports[].state = open", matches: ["closed22", "open22", "twoHosts", "notLists"] },
  {
    what: "a group holds both conditions to one port; a value that is not a list has no items",
    dataset: "scans",
    text: "hosts[].ports[] {port = 22 and state = open}",
    json: '{"hosts.ports": {"$elemMatch": {"port": 22, "state": "open"}}}',
    matches: ["open22", "twoHosts"],
  },
  {
    what: "nested groups: one host with that address has port 22 open",
    dataset: "scans",
    text: "hosts[] {ip = 10.0.0.1 and ports[] {port = 22 and state = open}}",
    json: '{"hosts": {"$elemMatch": {"ip": "10.0.0.1", "ports": {"$elemMatch": {"port": 22, "state": "open"}}}}}',
    matches: [],
  },
  {
    what: "nested groups: the host that has it",
    dataset: "scans",
    text: "hosts[] {ip = 10.0.0.3 and ports[] {port = 22 and state = open}}",
    json: '{"hosts": {"$elemMatch": {"ip": "10.0.0.3", "ports": {"$elemMatch": {"port": 22, "state": "open"}}}}}',
    matches: ["twoHosts"],
  },
  { what: "not inside a group: some port is not open", dataset: "scans", text: "hosts[].ports[] {not state = open}", json: '{"hosts.ports": {"$elemMatch": {"$not": {"state": "open"}}}}', matches: ["closed22"] },
  { what: "exists inside a group", dataset: "scans", text: "hosts[].ports[] {port = 22 and banner exists}", json: '{"hosts.ports": {"$elemMatch": {"port": 22, "banner": {"$exists": true}}}}', matches: ["open22"] },
  { what: "exists false inside a group: some port without a banner", dataset: "scans", text: "hosts[].ports[] {not banner exists}", json: '{"hosts.ports": {"$elemMatch": {"banner": {"$exists": false}}}}', matches: ["closed22", "twoHosts"] },
  { what: "a host with a port: an empty list has no items, an object under [] is no list", dataset: "scans", text: "hosts[] {ports[] {port exists}}", matches: ["closed22", "open22", "twoHosts"] },
  { what: "or inside a group", dataset: "scans", text: "hosts[].ports[] {port = 3000 or banner = OpenSSH}", json: '{"hosts.ports": {"$elemMatch": {"$or": [{"port": 3000}, {"banner": "OpenSSH"}]}}}', matches: ["closed22", "open22"] },
  { what: "a regular expression inside a group", dataset: "scans", json: '{"hosts.ports": {"$elemMatch": {"banner": {"$regex": "^open", "$options": "i"}}}}', matches: ["open22"] },
  { what: "a group under not: no host has an empty port list", dataset: "scans", text: "not hosts[] {not ports[] {port exists}}", matches: ["closed22", "open22", "notLists"] },
  { what: "a group beside a plain condition", dataset: "scans", text: "target = t3 and hosts[].ports[] {state = open}", json: '{"target": "t3", "hosts.ports": {"$elemMatch": {"state": "open"}}}', matches: ["twoHosts"] },
  // shapes
  { what: "a scalar or a list's item equals", dataset: "shapes", text: "tags = x", json: '{"tags": "x"}', matches: ["list", "scalar"] },
  { what: "a list inside a list is not read (MongoDB reads one level)", dataset: "shapes", text: "n = 3", json: '{"n": 3}', matches: ["scalar"] },
  { what: "ranges read a list's items", dataset: "shapes", text: "n > 2", json: '{"n": {"$gt": 2}}', matches: ["list", "scalar"] },
  { what: "$ne: no item equals, missing included", dataset: "shapes", text: "tags != x", json: '{"tags": {"$ne": "x"}}', matches: ["nested", "empty", "none"] },
  { what: "a group needs a list: a scalar has no items", dataset: "shapes", text: "tags[] {@ = x}", json: '{"tags": {"$elemMatch": {"$eq": "x"}}}', matches: ["list"] },
  { what: "a group's item that is a list is not compared with a scalar", dataset: "shapes", text: "n[] {@ = 3}", json: '{"n": {"$elemMatch": {"$eq": 3}}}', matches: [] },
  { what: "an empty list has no items", dataset: "shapes", text: "n[] {@ exists}", json: '{"n": {"$elemMatch": {"$exists": true}}}', matches: ["list", "nested"] },
  { what: "an empty list exists", dataset: "shapes", text: "tags exists", json: '{"tags": {"$exists": true}}', matches: ["list", "scalar", "nested", "empty"] },
  { what: "substring inside a group", dataset: "shapes", text: "tags[] {@ ~ Y}", matches: ["list"] },
  { what: "$nin inside a group: some item is neither", dataset: "shapes", json: '{"n": {"$elemMatch": {"$nin": [1, 3]}}}', matches: ["list", "nested"] },
];
