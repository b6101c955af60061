//! The flow table: a slab of flows indexed by a keyed hash table of slot ids, plus an
//! intrusive least-recently-seen list for O(1) eviction of the oldest idle flow.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use crate::flow::Flow;
use crate::key::FlowKey;

/// Slot id of a flow in the table (stable while the flow lives).
pub type FlowId = u32;

const NIL: u32 = u32::MAX;

enum Slot {
    Used(Box<Flow>),
    Free(u32),
}

/// Flows by canonical key, bounded by a capacity.
pub struct FlowTable {
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
    slots: Vec<Slot>,
    free_head: u32,
    lru_head: u32,
    lru_tail: u32,
    len: usize,
    capacity: usize,
}

impl std::fmt::Debug for FlowTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowTable")
            .field("len", &self.len)
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl FlowTable {
    /// An empty table holding at most `capacity` flows (at least 1).
    pub fn new(capacity: usize) -> FlowTable {
        FlowTable {
            index: HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
            slots: Vec::new(),
            free_head: NIL,
            lru_head: NIL,
            lru_tail: NIL,
            len: 0,
            capacity: capacity.clamp(1, NIL as usize - 1),
        }
    }

    /// Flows in the table.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if no flows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The cap.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// True if one more insert would exceed the cap.
    pub fn is_full(&self) -> bool {
        self.len >= self.capacity
    }

    fn hash(&self, key: &FlowKey) -> u64 {
        self.hasher.hash_one(key)
    }

    /// Looks a key up.
    pub fn find(&self, key: &FlowKey) -> Option<FlowId> {
        let h = self.hash(key);
        let slots = &self.slots;
        self.index
            .find(
                h,
                |&id| matches!(slots.get(id as usize), Some(Slot::Used(f)) if f.key == *key),
            )
            .copied()
    }

    /// Inserts a new flow (the caller checked [`FlowTable::find`] and the cap) and puts
    /// it at the most-recent end of the LRU list.
    pub fn insert(&mut self, flow: Flow) -> FlowId {
        let h = self.hash(&flow.key);
        let id = if self.free_head != NIL {
            let id = self.free_head;
            if let Some(Slot::Free(next)) = self.slots.get(id as usize) {
                self.free_head = *next;
            }
            if let Some(s) = self.slots.get_mut(id as usize) {
                *s = Slot::Used(Box::new(flow));
            }
            id
        } else {
            self.slots.push(Slot::Used(Box::new(flow)));
            (self.slots.len() - 1) as u32
        };
        let slots = &self.slots;
        let hasher = &self.hasher;
        self.index
            .insert_unique(h, id, |&i| match slots.get(i as usize) {
                Some(Slot::Used(f)) => hasher.hash_one(f.key),
                _ => 0,
            });
        self.len += 1;
        self.lru_push_back(id);
        id
    }

    /// The flow in a slot.
    pub fn get(&self, id: FlowId) -> Option<&Flow> {
        match self.slots.get(id as usize) {
            Some(Slot::Used(f)) => Some(f),
            _ => None,
        }
    }

    /// The flow in a slot, mutably.
    pub fn get_mut(&mut self, id: FlowId) -> Option<&mut Flow> {
        match self.slots.get_mut(id as usize) {
            Some(Slot::Used(f)) => Some(f),
            _ => None,
        }
    }

    /// Removes a flow and returns it.
    pub fn remove(&mut self, id: FlowId) -> Option<Box<Flow>> {
        let key = self.get(id)?.key;
        let h = self.hash(&key);
        if let Ok(e) = self.index.find_entry(h, |&i| i == id) {
            e.remove();
        }
        self.lru_unlink(id);
        let slot = self.slots.get_mut(id as usize)?;
        let old = std::mem::replace(slot, Slot::Free(self.free_head));
        self.free_head = id;
        self.len -= 1;
        match old {
            Slot::Used(f) => Some(f),
            Slot::Free(_) => None,
        }
    }

    /// Marks a flow as just seen (moves it to the most-recent end).
    pub fn touch(&mut self, id: FlowId) {
        if self.lru_tail == id {
            return;
        }
        self.lru_unlink(id);
        self.lru_push_back(id);
    }

    /// The least recently seen flow.
    pub fn oldest(&self) -> Option<FlowId> {
        (self.lru_head != NIL).then_some(self.lru_head)
    }

    /// Upper bound of slot ids, for walking with [`FlowTable::get`].
    pub fn slot_count(&self) -> u32 {
        self.slots.len() as u32
    }

    /// Iterates over live flows in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (FlowId, &Flow)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| match s {
            Slot::Used(f) => Some((i as u32, &**f)),
            Slot::Free(_) => None,
        })
    }

    fn links(&mut self, id: FlowId) -> Option<(&mut u32, &mut u32)> {
        match self.slots.get_mut(id as usize) {
            Some(Slot::Used(f)) => Some((&mut f.lru_prev, &mut f.lru_next)),
            _ => None,
        }
    }

    fn lru_unlink(&mut self, id: FlowId) {
        let Some((p, n)) = self.links(id).map(|(p, n)| {
            let r = (*p, *n);
            *p = NIL;
            *n = NIL;
            r
        }) else {
            return;
        };
        if p == NIL {
            if self.lru_head == id {
                self.lru_head = n;
            }
        } else if let Some((_, pn)) = self.links(p) {
            *pn = n;
        }
        if n == NIL {
            if self.lru_tail == id {
                self.lru_tail = p;
            }
        } else if let Some((np, _)) = self.links(n) {
            *np = p;
        }
    }

    fn lru_push_back(&mut self, id: FlowId) {
        let tail = self.lru_tail;
        if let Some((p, n)) = self.links(id) {
            *p = tail;
            *n = NIL;
        }
        if tail == NIL {
            self.lru_head = id;
        } else if let Some((_, tn)) = self.links(tail) {
            *tn = id;
        }
        self.lru_tail = id;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weir_decode::Timestamp;

    fn key(i: u16) -> FlowKey {
        FlowKey::new(
            0,
            17,
            ("10.0.0.1".parse().unwrap(), i),
            ("10.0.0.2".parse().unwrap(), 53),
        )
        .0
    }

    #[test]
    fn insert_find_remove_lru() {
        let mut t = FlowTable::new(10);
        let ids: Vec<_> = (0..5)
            .map(|i| t.insert(Flow::new(key(i), true, u64::from(i), Timestamp(0))))
            .collect();
        assert_eq!(t.len(), 5);
        assert_eq!(t.find(&key(3)), Some(ids[3]));
        assert_eq!(t.oldest(), Some(ids[0]));
        t.touch(ids[0]);
        assert_eq!(t.oldest(), Some(ids[1]));
        let f = t.remove(ids[1]).unwrap();
        assert_eq!(f.serial, 1);
        assert_eq!(t.find(&key(1)), None);
        assert_eq!(t.oldest(), Some(ids[2]));
        let again = t.insert(Flow::new(key(9), true, 9, Timestamp(0)));
        assert_eq!(again, ids[1], "slots are reused");
        assert_eq!(t.iter().count(), 5);
        for (i, id) in ids.into_iter().enumerate() {
            if i != 1 {
                t.remove(id);
            }
        }
        assert_eq!(t.len(), 1);
        assert_eq!(t.oldest(), Some(again));
    }
}
