// Being written; see the engine issue.
export {};
