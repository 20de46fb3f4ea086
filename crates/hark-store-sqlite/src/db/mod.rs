//! The SQLite connections: the one writer with group commit, the reader pool, the checkpointer
//! thread, and the schema version stored in the file.

pub(crate) mod checkpoint;
pub(crate) mod pool;
pub(crate) mod version;
pub(crate) mod writer;
