// Filled in by its area's work; see the issue tracker.
export {};
