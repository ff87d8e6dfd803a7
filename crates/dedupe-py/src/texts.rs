//! `Texts`: a batch's block texts end to end in one buffer, as `segment_batch` and `sign_blocks` make them.
//!
//! To Python it is a read-only sequence of str (a string is made only when an item is asked for; a slice is a
//! view of the same buffer); the core's calls read it in place (`TextsArg`). A batch of 256 pages has about
//! 4,500 blocks: as a list, each one's text was a Rust string, then a Python string, then read back by the next
//! call, for the texts and again for their normalized forms.

use std::borrow::Cow;
use std::sync::Arc;

use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PySlice, PyString, PyTuple};

use crate::text_of;

/// Texts end to end: text `i` is `buffer[bounds[i]..bounds[i + 1]]`; a view holds texts `lo..hi` of them.
#[pyclass(frozen, sequence, module = "dedupe._core")]
pub struct Texts {
    buffer: Arc<String>, // (not `Arc<str>`, which would copy the buffer once more)
    bounds: Arc<[usize]>,
    lo: usize,
    hi: usize,
}

impl Texts {
    /// Texts from their buffer and their bounds in it (one more than the texts, the first 0, the last the
    /// buffer's length, each on a character boundary).
    pub fn new(buffer: String, bounds: Vec<usize>) -> Self {
        let hi = bounds.len().saturating_sub(1);
        Texts {
            buffer: Arc::new(buffer),
            bounds: bounds.into(),
            lo: 0,
            hi,
        }
    }

    fn len(&self) -> usize {
        self.hi - self.lo
    }

    /// Text `i` of this view.
    fn text(&self, i: usize) -> &str {
        let k = self.lo + i;
        &self.buffer[self.bounds[k]..self.bounds[k + 1]]
    }

    fn view(&self, lo: usize, hi: usize) -> Texts {
        Texts {
            buffer: Arc::clone(&self.buffer),
            bounds: Arc::clone(&self.bounds),
            lo: self.lo + lo,
            hi: self.lo + hi,
        }
    }

    fn strings<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyString>> {
        (0..self.len()).map(|i| PyString::new(py, self.text(i))).collect()
    }
}

#[pymethods]
impl Texts {
    fn __len__(&self) -> usize {
        self.len()
    }

    /// An item as str (a negative index counts from the end), or a slice: a view for a step of 1, else a list.
    fn __getitem__<'py>(&self, py: Python<'py>, index: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let n = self.len();
        if let Ok(slice) = index.cast::<PySlice>() {
            let s = slice.indices(n as isize)?;
            if s.step == 1 {
                let (lo, hi) = (s.start as usize, (s.stop.max(s.start)) as usize);
                return Ok(Bound::new(py, self.view(lo, hi))?.into_any());
            }
            let items: Vec<Bound<'py, PyString>> = (0..s.slicelength)
                .map(|k| PyString::new(py, self.text((s.start + k as isize * s.step) as usize)))
                .collect();
            return Ok(PyList::new(py, items)?.into_any());
        }
        let i: isize = index
            .extract()
            .map_err(|_| PyTypeError::new_err("Texts indices must be integers or slices"))?;
        let k = if i < 0 { i + n as isize } else { i };
        if k < 0 || k as usize >= n {
            return Err(PyIndexError::new_err("Texts index out of range"));
        }
        Ok(PyString::new(py, self.text(k as usize)).into_any())
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, self.strings(py))?.into_any().try_iter()?.into_any())
    }

    /// Equal to another `Texts`, list or tuple holding the same strings in the same order.
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(other) = other.cast::<Texts>() {
            let other = other.get();
            return Ok(self.len() == other.len() && (0..self.len()).all(|i| self.text(i) == other.text(i)));
        }
        if !(other.is_instance_of::<PyList>() || other.is_instance_of::<PyTuple>()) || other.len()? != self.len() {
            return Ok(false);
        }
        for (i, item) in other.try_iter()?.enumerate() {
            match item?.cast::<PyString>() {
                Ok(s) if text_of(s)? == self.text(i) => {}
                _ => return Ok(false),
            }
        }
        Ok(true)
    }

    /// Pickled (and copied) as the list of its strings.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyList>,))> {
        let list = py.get_type::<PyList>().into_any();
        Ok((list, (PyList::new(py, self.strings(py))?,)))
    }

    fn __repr__(&self) -> String {
        format!("<Texts: {} texts>", self.len())
    }
}

/// A core call's texts: a `Texts` (read in place) or any sequence of str (each read as `text_of` reads it).
pub enum TextsArg<'py> {
    Held(Bound<'py, Texts>),
    Strings(Vec<Bound<'py, PyString>>),
}

impl<'py> TextsArg<'py> {
    pub fn new(texts: Bound<'py, PyAny>) -> PyResult<Self> {
        match texts.cast_into::<Texts>() {
            Ok(held) => Ok(TextsArg::Held(held)),
            Err(e) => Ok(TextsArg::Strings(e.into_inner().extract()?)),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            TextsArg::Held(t) => t.get().len(),
            TextsArg::Strings(v) => v.len(),
        }
    }

    /// Each text as UTF-8 (a string holding a lone surrogate: a copy with U+FFFD for it, as `text_of`).
    pub fn views(&self) -> PyResult<Vec<Cow<'_, str>>> {
        match self {
            TextsArg::Held(t) => {
                let t = t.get();
                Ok((0..t.len()).map(|i| Cow::Borrowed(t.text(i))).collect())
            }
            TextsArg::Strings(v) => v.iter().map(text_of).collect(),
        }
    }

    /// Text `i` alone (`views` converts them all).
    pub fn view(&self, i: usize) -> PyResult<Cow<'_, str>> {
        match self {
            TextsArg::Held(t) => Ok(Cow::Borrowed(t.get().text(i))),
            TextsArg::Strings(v) => text_of(&v[i]),
        }
    }
}
