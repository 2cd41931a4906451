//! The thin pyo3 layer: strings and arrays in, a frozen handle out. Scenario JSON crosses
//! the boundary as text; series arrays move from Rust to numpy without copying; the GIL is
//! released while the core runs; errors map from the one Rust enum; panics never cross.

use numpy::ndarray::ArrayView1;
use numpy::{Element, IntoPyArray, PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyType};

use crate::error::Error;
use crate::events::{ScheduledEvent, ShockKind};
use crate::network::Graph;
use crate::record::{EventKind, EventOutcome, Field, Run, COLUMNS, OUTCOME_FIELDS};
use crate::scenario::{get_path, Scenario};
use crate::{sweep, threads};

create_exception!(
    _core,
    ConfigError,
    PyValueError,
    "Bad scenario or input; the message starts with the parameter path."
);
create_exception!(_core, SimulationError, PyRuntimeError, "A run failed inside the core.");

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e {
            Error::Config { .. } => ConfigError::new_err(e.to_string()),
            Error::Simulation(m) => SimulationError::new_err(m),
            Error::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
        }
    }
}

/// Run `work` on the core's threads with the GIL released, answering Ctrl-C within about
/// 50 ms: the runs in progress stop at their next week and the signal's exception is raised.
fn interruptible<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    std::thread::scope(|scope| {
        let waiting = std::thread::current();
        let job = scope.spawn(move || {
            let out = threads::install(work);
            waiting.unpark();
            out
        });
        while !job.is_finished() {
            py.detach(|| std::thread::park_timeout(std::time::Duration::from_millis(50)));
            if let Err(signal) = py.check_signals() {
                threads::request_stop();
                let _ = job.join();
                threads::clear_stop();
                return Err(signal);
            }
        }
        Ok(job.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}

/// Ask every run in progress in this process to stop at its next week (a sweep's Ctrl-C
/// and SIGTERM); runs started before `clear_stop` stop at once.
#[pyfunction]
fn request_stop() {
    threads::request_stop();
}

#[pyfunction]
fn clear_stop() {
    threads::clear_stop();
}

fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

#[pyfunction]
fn scenario_default_json() -> String {
    Scenario::default().to_json()
}

#[pyfunction]
fn scenario_normalize_json(text: &str) -> PyResult<String> {
    Ok(Scenario::from_json_str(text)?.to_json())
}

#[pyfunction]
fn scenario_from_toml(text: &str, source: &str) -> PyResult<String> {
    Ok(Scenario::from_toml_str(text, source)?.to_json())
}

#[pyfunction]
fn scenario_to_toml(json_text: &str) -> PyResult<String> {
    Ok(Scenario::from_json_str(json_text)?.to_toml())
}

/// The documented parameters: path, default, unit, min, max, description.
#[pyfunction]
fn parameters(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    let tree = serde_json::to_value(Scenario::default()).expect("a scenario always serialises");
    crate::scenario::parameters()
        .iter()
        .map(|p| {
            let d = PyDict::new(py);
            d.set_item("path", p.path)?;
            let default = get_path(&tree, p.path).map(|v| v.to_string()).unwrap_or_else(|| "null".into());
            d.set_item("default", json_loads(py, &default)?)?;
            d.set_item("unit", p.unit)?;
            let ranged = !(p.min == 0.0 && p.max == 0.0);
            d.set_item("min", if ranged { Some(p.min) } else { None })?;
            d.set_item("max", if ranged { Some(p.max) } else { None })?;
            d.set_item("description", p.description)?;
            Ok(d)
        })
        .collect()
}

fn seed_bytes(seed: &[u8]) -> PyResult<[u8; 32]> {
    seed.try_into().map_err(|_| ConfigError::new_err(format!("seed: must be exactly 32 bytes, got {}", seed.len())))
}

fn user_graph(
    indptr: Option<PyReadonlyArray1<u64>>,
    indices: Option<PyReadonlyArray1<u32>>,
) -> PyResult<Option<Graph>> {
    match (indptr, indices) {
        (None, None) => Ok(None),
        (Some(p), Some(i)) => Ok(Some(Graph { indptr: p.as_slice()?.to_vec(), indices: i.as_slice()?.to_vec() })),
        _ => Err(ConfigError::new_err("graph: give both indptr and indices")),
    }
}

/// A finished run: series arrays, event log and outcome, built once and shared.
#[pyclass(frozen, module = "acsa._core")]
struct RunHandle {
    series: Py<PyDict>,
    events: Py<PyDict>,
    outcome: Py<PyAny>,
}

#[pymethods]
impl RunHandle {
    fn series(&self, py: Python<'_>) -> Py<PyDict> {
        self.series.clone_ref(py)
    }
    fn events(&self, py: Python<'_>) -> Py<PyDict> {
        self.events.clone_ref(py)
    }
    fn outcome(&self, py: Python<'_>) -> Py<PyAny> {
        self.outcome.clone_ref(py)
    }
}

fn outcome_dict<'py>(py: Python<'py>, run: &Run) -> PyResult<Bound<'py, PyAny>> {
    json_loads(py, &serde_json::to_string(&run.outcome).expect("an outcome always serialises"))
}

fn into_handle(py: Python<'_>, run: Run) -> PyResult<RunHandle> {
    let outcome = outcome_dict(py, &run)?.unbind();
    let series = PyDict::new(py);
    let events = PyDict::new(py);
    let ev = &run.events;
    events.set_item("week", ev.iter().map(|e| e.week as i64).collect::<Vec<_>>().into_pyarray(py))?;
    events.set_item("kind", PyList::new(py, ev.iter().map(|e| e.kind.name()))?)?;
    events.set_item("magnitude", ev.iter().map(|e| e.magnitude).collect::<Vec<_>>().into_pyarray(py))?;
    events.set_item("rung", ev.iter().map(|e| e.rung as i64).collect::<Vec<_>>().into_pyarray(py))?;
    events.set_item("outcome", PyList::new(py, ev.iter().map(|e| e.outcome.name()))?)?;
    for (name, column) in run.series {
        series.set_item(name, column.into_pyarray(py))?;
    }
    Ok(RunHandle { series: series.unbind(), events: events.unbind(), outcome })
}

#[pyfunction]
#[pyo3(signature = (scenario_json, seed, indptr=None, indices=None))]
fn simulate(
    py: Python<'_>,
    scenario_json: &str,
    seed: &[u8],
    indptr: Option<PyReadonlyArray1<u64>>,
    indices: Option<PyReadonlyArray1<u32>>,
) -> PyResult<RunHandle> {
    let sc = Scenario::from_json_str(scenario_json)?;
    let seed = seed_bytes(seed)?;
    let graph = user_graph(indptr, indices)?;
    let run = interruptible(py, || sweep::run_one(&sc, &seed, graph))??;
    into_handle(py, run)
}

/// One run of a batch: its outcome (a dict) and the series it kept (a dict of arrays, or
/// None), or the error that failed it; a run stopped by `request_stop` has neither outcome
/// nor error. Pickles, so sweeps send it between processes.
#[pyclass(frozen, get_all, module = "acsa._core")]
struct RunResult {
    outcome: Option<Py<PyAny>>,
    error: Option<String>,
    series: Option<Py<PyAny>>,
}

/// A `RunResult`'s fields, as its constructor takes them.
type ResultFields = (Option<Py<PyAny>>, Option<String>, Option<Py<PyAny>>);

#[pymethods]
impl RunResult {
    #[new]
    #[pyo3(signature = (outcome=None, error=None, series=None))]
    fn new(outcome: Option<Py<PyAny>>, error: Option<String>, series: Option<Py<PyAny>>) -> Self {
        RunResult { outcome, error, series }
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, ResultFields) {
        let (py, r) = (slf.py(), slf.get());
        let copy = |o: &Option<Py<PyAny>>| o.as_ref().map(|o| o.clone_ref(py));
        (slf.get_type(), (copy(&r.outcome), r.error.clone(), copy(&r.series)))
    }

    fn __repr__(&self) -> String {
        match (&self.outcome, &self.error) {
            (Some(_), _) => "RunResult(finished)".into(),
            (None, Some(e)) => format!("RunResult(error={e:?})"),
            (None, None) => "RunResult(stopped)".into(),
        }
    }
}

/// Run many scenarios in parallel on all cores. Returns, in input order, one `RunResult`
/// per run: a failed run has its error text, never a silent gap. `columns` picks series
/// columns to keep (None: none), every `every`-th week.
#[pyfunction]
#[pyo3(signature = (scenario_jsons, seeds, indptr=None, indices=None, columns=None, every=1))]
fn run_batch(
    py: Python<'_>,
    scenario_jsons: Vec<String>,
    seeds: Vec<Vec<u8>>,
    indptr: Option<PyReadonlyArray1<u64>>,
    indices: Option<PyReadonlyArray1<u32>>,
    columns: Option<Vec<String>>,
    every: usize,
) -> PyResult<Vec<RunResult>> {
    if scenario_jsons.len() != seeds.len() {
        return Err(ConfigError::new_err("seeds: need one seed per scenario"));
    }
    if every == 0 {
        return Err(ConfigError::new_err("every: must be at least 1"));
    }
    if let Some(bad) = columns.iter().flatten().find(|c| !COLUMNS.iter().any(|k| k.name == c.as_str())) {
        return Err(ConfigError::new_err(format!("columns: no series column '{bad}'")));
    }
    let seeds = seeds.iter().map(|s| seed_bytes(s)).collect::<PyResult<Vec<_>>>()?;
    let graph = user_graph(indptr, indices)?;
    let runs = interruptible(py, || sweep::run_batch(&scenario_jsons, &seeds, graph.as_ref()))?;
    runs.into_iter()
        .map(|r| match r {
            Ok(run) => {
                let series = match &columns {
                    None => None,
                    Some(cols) => {
                        let d = PyDict::new(py);
                        for (name, values) in run.series.iter().filter(|(n, _)| cols.iter().any(|c| c == n)) {
                            let thinned: Vec<f64> = values.iter().copied().step_by(every).collect();
                            d.set_item(*name, thinned.into_pyarray(py))?;
                        }
                        Some(d.into_any().unbind())
                    }
                };
                Ok(RunResult { outcome: Some(outcome_dict(py, &run)?.unbind()), error: None, series })
            }
            Err(Error::Interrupted) => Ok(RunResult { outcome: None, error: None, series: None }),
            Err(e) => Ok(RunResult { outcome: None, error: Some(e.to_string()), series: None }),
        })
        .collect()
}

/// A run in progress that Python steps, reads and steers; the rich API is `acsa.World`.
/// After a failure inside the core the world is gone and every call says why.
#[pyclass(module = "acsa._core", name = "World")]
struct WorldHandle {
    world: Result<crate::world::World, String>,
}

impl WorldHandle {
    fn get(&self) -> PyResult<&crate::world::World> {
        self.world.as_ref().map_err(|e| SimulationError::new_err(e.clone()))
    }
    fn get_mut(&mut self) -> PyResult<&mut crate::world::World> {
        self.world.as_mut().map_err(|e| SimulationError::new_err(e.clone()))
    }
}

/// A read-only numpy array over `data`, which lives inside `owner` (no copy).
fn view<'py, T: Element>(owner: &Bound<'py, WorldHandle>, data: &[T]) -> Bound<'py, PyArray1<T>> {
    // SAFETY: `owner` becomes the array's base, so the world outlives the array; the voters'
    // vectors keep their length and their memory for the whole run (nothing reallocates them).
    let array = unsafe { PyArray1::borrow_from_array(&ArrayView1::from(data), owner.clone().into_any()) };
    array.readwrite().make_nonwriteable();
    array
}

#[pymethods]
impl WorldHandle {
    #[new]
    #[pyo3(signature = (scenario_json, seed, indptr=None, indices=None))]
    fn new(
        py: Python<'_>,
        scenario_json: &str,
        seed: &[u8],
        indptr: Option<PyReadonlyArray1<u64>>,
        indices: Option<PyReadonlyArray1<u32>>,
    ) -> PyResult<Self> {
        let sc = Scenario::from_json_str(scenario_json)?;
        let seed = seed_bytes(seed)?;
        let graph = user_graph(indptr, indices)?;
        sweep::fits(&sc, graph.as_ref())?;
        let world = interruptible(py, || sweep::guarded(|| crate::world::World::new(sc, &seed, graph)))??;
        Ok(WorldHandle { world: Ok(world) })
    }

    /// The next week to run (= weeks run so far).
    #[getter]
    fn week(&self) -> PyResult<u32> {
        Ok(self.get()?.week())
    }

    /// Run `n` weeks (the GIL is released meanwhile; Ctrl-C stops at the end of a week); not
    /// past the horizon.
    fn step(&mut self, py: Python<'_>, n: u32) -> PyResult<u32> {
        let world = self.get_mut()?;
        let left = world.scenario().horizon_weeks - world.week();
        if n > left {
            return Err(ConfigError::new_err(format!(
                "n: only {left} weeks are left of the horizon ({} weeks); got {n}",
                world.scenario().horizon_weeks
            )));
        }
        let stepped = interruptible(py, || {
            sweep::guarded(|| {
                for _ in 0..n {
                    if threads::stop_requested() {
                        return Err(Error::Interrupted);
                    }
                    world.step();
                }
                Ok(world.week())
            })
        })?;
        stepped.map_err(|e| {
            // A stop leaves the world at a week's end, sound; a failure inside a week does not.
            if let Error::Simulation(why) = &e {
                self.world = Err(format!("the world failed while stepping and is gone: {why}"));
            }
            PyErr::from(e)
        })
    }

    /// The latest week's row of the series as {column: value}; None before the first week.
    fn latest<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(row) = self.get()?.latest() else { return Ok(None) };
        let d = PyDict::new(py);
        for (column, value) in COLUMNS.iter().zip(row.values()) {
            d.set_item(column.name, value)?;
        }
        Ok(Some(d))
    }

    /// The run so far (series, events and outcome, copied).
    fn run(&self, py: Python<'_>) -> PyResult<RunHandle> {
        into_handle(py, self.get()?.run_so_far())
    }

    /// The voters' state as {name: read-only array} viewing the core's memory: the arrays
    /// follow the run as it steps. `district_start[d]` is the first voter of district d.
    fn voters<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let py = slf.py();
        let this = slf.borrow();
        let v = this.get()?.voters();
        let d = PyDict::new(py);
        d.set_item("party", view(slf, &v.party))?;
        for (name, data) in [
            ("grievance", &v.grievance),
            ("threat", &v.threat),
            ("salience", &v.salience),
            ("support", &v.support),
            ("approval", &v.approval),
            ("opposition", &v.opposition),
        ] {
            d.set_item(name, view(slf, data))?;
        }
        let starts: Vec<u64> = v.district_start.iter().map(|&s| s as u64).collect();
        d.set_item("district_start", starts.into_pyarray(py))?;
        Ok(d)
    }

    /// Schedule a shock of `kind` on a week (or date) not yet run, as the scenario's events list.
    #[pyo3(signature = (kind, week=None, date=None, magnitude=1.0))]
    fn schedule(&mut self, kind: &str, week: Option<u32>, date: Option<String>, magnitude: f64) -> PyResult<()> {
        let kind = ShockKind::ALL.into_iter().find(|k| k.name() == kind).ok_or_else(|| {
            let names: Vec<&str> = ShockKind::ALL.iter().map(|k| k.name()).collect();
            ConfigError::new_err(format!("kind: no shock kind '{kind}'; expected one of {}", names.join(", ")))
        })?;
        self.get_mut()?.schedule(ScheduledEvent { week, date, kind, magnitude }).map_err(PyErr::from)
    }

    /// Make the president openly propose `rung` at the next decision.
    fn propose(&mut self, rung: u8) -> PyResult<()> {
        self.get_mut()?.propose(rung).map_err(PyErr::from)
    }

    /// Run the weeks to come under another scenario that differs only where a run may change.
    fn retune(&mut self, scenario_json: &str) -> PyResult<()> {
        let sc = Scenario::from_json_str(scenario_json)?;
        self.get_mut()?.retune(sc).map_err(PyErr::from)
    }
}

/// Friedkin-Johnsen on a CSR graph (see `opinion`); the GIL is released while it runs.
#[pyfunction]
#[pyo3(signature = (indptr, indices, weights, x0, stubbornness, steps))]
fn friedkin_johnsen<'py>(
    py: Python<'py>,
    indptr: PyReadonlyArray1<'py, u64>,
    indices: PyReadonlyArray1<'py, u32>,
    weights: Option<PyReadonlyArray1<'py, f64>>,
    x0: PyReadonlyArray1<'py, f64>,
    stubbornness: PyReadonlyArray1<'py, f64>,
    steps: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (ip, ix, x0, s) = (indptr.as_slice()?, indices.as_slice()?, x0.as_slice()?, stubbornness.as_slice()?);
    let w = match &weights {
        Some(w) => Some(w.as_slice()?),
        None => None,
    };
    let x = interruptible(py, || {
        let adj = crate::opinion::Adjacency::new(ip, ix, w)?;
        crate::opinion::friedkin_johnsen_until(&adj, x0, s, steps, threads::stop_flag())
    })??;
    Ok(x.into_pyarray(py))
}

/// Memory bandwidth (bytes per second) by a STREAM-like triad over `n` doubles.
#[pyfunction]
#[pyo3(signature = (n=20_000_000, repeats=5))]
fn triad_bandwidth(py: Python<'_>, n: usize, repeats: usize) -> f64 {
    py.detach(|| threads::install(|| crate::bandwidth::triad(n, repeats)))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("MODEL_VERSION", crate::MODEL_VERSION)?;
    m.add("LIVE_SECTIONS", crate::scenario::LIVE_SECTIONS.to_vec())?;
    // What a run records, named once in the core: (name, type, meaning) of each series
    // column and outcome field, (name, group) of each event kind, (name, meaning) of each
    // event outcome, the rung names.
    let fields = |f: &[Field]| f.iter().map(|c| (c.name, c.kind.name(), c.meaning)).collect::<Vec<_>>();
    m.add("SERIES_COLUMNS", fields(COLUMNS))?;
    m.add("OUTCOME_FIELDS", fields(OUTCOME_FIELDS))?;
    m.add("EVENT_KINDS", EventKind::all().map(|k| (k.name(), k.group())).collect::<Vec<_>>())?;
    m.add("EVENT_OUTCOMES", EventOutcome::all().map(|o| (o.name(), o.meaning())).collect::<Vec<_>>())?;
    m.add("RUNG_NAMES", crate::ladder::RUNG_NAMES.to_vec())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("SimulationError", py.get_type::<SimulationError>())?;
    m.add_class::<RunHandle>()?;
    m.add_class::<RunResult>()?;
    m.add_class::<WorldHandle>()?;
    m.add_function(wrap_pyfunction!(scenario_default_json, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_normalize_json, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_from_toml, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_to_toml, m)?)?;
    m.add_function(wrap_pyfunction!(parameters, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(run_batch, m)?)?;
    m.add_function(wrap_pyfunction!(friedkin_johnsen, m)?)?;
    m.add_function(wrap_pyfunction!(triad_bandwidth, m)?)?;
    m.add_function(wrap_pyfunction!(request_stop, m)?)?;
    m.add_function(wrap_pyfunction!(clear_stop, m)?)?;
    Ok(())
}
