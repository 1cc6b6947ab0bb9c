//! The in-memory [`TransferStore`]: the embedded default and the unit-test fake.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;
use kernel::{PortError, UserId};

use crate::{Transfer, TransferStore};

/// Records and chunk sets in maps.
#[derive(Debug, Default)]
pub struct MemoryTransferStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    records: HashMap<String, Transfer>,
    chunks: HashMap<String, BTreeSet<u64>>,
}

#[async_trait]
impl TransferStore for MemoryTransferStore {
    async fn put(&self, t: &Transfer) -> Result<(), PortError> {
        let mut i = self.inner.lock().expect("lock");
        i.records.insert(t.transfer_id.clone(), t.clone());
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<Transfer>, PortError> {
        Ok(self.inner.lock().expect("lock").records.get(id).cloned())
    }

    async fn list_user(&self, user: &UserId) -> Result<Vec<Transfer>, PortError> {
        let i = self.inner.lock().expect("lock");
        Ok(i.records
            .values()
            .filter(|t| &t.sender == user || &t.receiver == user)
            .cloned()
            .collect())
    }

    async fn list_all(&self) -> Result<Vec<Transfer>, PortError> {
        Ok(self
            .inner
            .lock()
            .expect("lock")
            .records
            .values()
            .cloned()
            .collect())
    }

    async fn mark_chunk(&self, id: &str, index: u64) -> Result<u64, PortError> {
        let mut i = self.inner.lock().expect("lock");
        let set = i.chunks.entry(id.to_owned()).or_default();
        set.insert(index);
        Ok(set.len() as u64)
    }

    async fn chunks(&self, id: &str) -> Result<Vec<u64>, PortError> {
        let i = self.inner.lock().expect("lock");
        Ok(i.chunks
            .get(id)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default())
    }

    async fn delete(&self, id: &str) -> Result<(), PortError> {
        let mut i = self.inner.lock().expect("lock");
        i.records.remove(id);
        i.chunks.remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    async fn store() -> std::sync::Arc<dyn crate::TransferStore> {
        std::sync::Arc::new(super::MemoryTransferStore::default())
    }

    crate::transfer_store_suite!(store);
}
