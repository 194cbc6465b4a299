//! Empty: this package exists only so cargo resolves the corpus.
