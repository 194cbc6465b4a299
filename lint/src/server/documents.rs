//! The open documents: each editor buffer's text (synced in full), version, and the findings last published for it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::Url;

use crate::Finding;

/// One open document.
#[derive(Debug)]
pub(crate) struct Document {
    /// The client's name for it.
    pub(crate) uri: Url,
    /// The file it is (findings name it, the index keys it).
    pub(crate) path: PathBuf,
    /// The client's version of `text`.
    pub(crate) version: i32,
    /// The buffer's text, saved or not.
    pub(crate) text: Arc<str>,
    /// The findings last published for `text`.
    pub(crate) findings: Vec<Finding>,
}

/// The open documents by URI; only `file:` URIs are kept (the lint needs a path
/// for crate and module resolution).
#[derive(Debug, Default)]
pub(crate) struct Documents {
    open: BTreeMap<Url, Document>,
}

impl Documents {
    /// Opens (or reopens) `uri` with `text`; `false` when it is not a file.
    pub(crate) fn open(&mut self, uri: Url, version: i32, text: String) -> bool {
        let Ok(path) = uri.to_file_path() else {
            return false;
        };
        let doc = Document {
            uri: uri.clone(),
            path,
            version,
            text: text.into(),
            findings: Vec::new(),
        };
        self.open.insert(uri, doc);
        true
    }

    /// Replaces the text of an open document; `false` when it is not open.
    pub(crate) fn change(&mut self, uri: &Url, version: i32, text: String) -> bool {
        let Some(doc) = self.open.get_mut(uri) else {
            return false;
        };
        doc.version = version;
        doc.text = text.into();
        true
    }

    /// Forgets `uri`; its last state.
    pub(crate) fn close(&mut self, uri: &Url) -> Option<Document> {
        self.open.remove(uri)
    }

    pub(crate) fn get(&self, uri: &Url) -> Option<&Document> {
        self.open.get(uri)
    }

    pub(crate) fn get_mut(&mut self, uri: &Url) -> Option<&mut Document> {
        self.open.get_mut(uri)
    }

    /// Whether a document has this path.
    pub(crate) fn is_open(&self, path: &std::path::Path) -> bool {
        self.open.values().any(|doc| doc.path == path)
    }

    /// The URIs of the open documents.
    pub(crate) fn uris(&self) -> Vec<Url> {
        self.open.keys().cloned().collect()
    }
}
