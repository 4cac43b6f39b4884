/** What the results index answers with (DTOs: dates as ISO strings, ids as strings). */

/** One document of the index: where it was stored and what it holds. */
export interface ResultDocumentView {
  /** the index row's id: the keyset cursor and the address of the whole document */
  id: string;
  coll: string;
  runId: string;
  /** the run number (`_id.job`) */
  job: number;
  task: number;
  function: string;
  storedAt: string;
  bytes: number;
  doc: unknown;
}

export interface ResultPage {
  items: ResultDocumentView[];
  /** pass as `after` for the next page; null on the last page */
  next: string | null;
}

/** A collection the viewer may read, with their documents in it. */
export interface CollectionCount {
  coll: string;
  documents: number;
  bytes: number;
  lastAt: string;
}

export interface TopValue {
  /** the value as JSON text (`"open"`, `8080`, `true`) */
  value: string;
  count: number;
}

export interface RunCount {
  runId: string;
  number: number;
  createdAt: string;
  documents: number;
}
