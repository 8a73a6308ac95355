// Placeholder; app commands land here.
