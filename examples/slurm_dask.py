"""A Sobol sweep on a Slurm cluster through dask-jobqueue, or on this machine when not on Slurm.

On the cluster's login node (with acsa installed in an environment the compute nodes see):

    python examples/slurm_dask.py --out results/sobol --jobs 4 --cores 16 --account my_account

This submits 4 Slurm jobs of 16 cores; each runs 16 dask worker processes with one thread,
and each worker process runs the Rust core on one thread. Finished runs stream into the
store as they come back, so if the script, a job or the login session dies, running the same
command again resumes where it stopped. Anywhere else (or with --local), the same sweep runs
on a dask LocalCluster on this machine; --quick makes it small enough for a test:

    python examples/slurm_dask.py --out /tmp/sobol-demo --quick

--print-job-script shows the batch script dask-jobqueue would submit, and exits.
"""

from __future__ import annotations

import argparse
import shutil

import acsa

LEVERS = {
    "voters.cohort_shift": (0.0, 0.1),
    "shocks.intensity": (0.5, 3.0),
    "executive.risk_tolerance": (0.2, 0.9),
}


def make_cluster(args: argparse.Namespace):
    if args.print_job_script or (shutil.which("sbatch") and not args.local):
        from dask_jobqueue import SLURMCluster

        return SLURMCluster(
            cores=args.cores,
            processes=args.cores,  # one single-threaded worker process per core
            memory=f"{2 * args.cores}GB",
            walltime=args.walltime,
            queue=args.partition,
            account=args.account,
            # Commands run before each worker starts: load your Python here, e.g.
            # "module load python/3.11", "source ~/venvs/acsa/bin/activate".
            job_script_prologue=["export RAYON_NUM_THREADS=1"],
            scheduler_options={"dashboard_address": None},
        )
    from dask.distributed import LocalCluster

    return LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="store directory (on a file system all nodes see)")
    p.add_argument("--jobs", type=int, default=4, help="Slurm jobs to submit (default 4)")
    p.add_argument("--cores", type=int, default=16, help="cores per Slurm job (default 16)")
    p.add_argument("--walltime", default="04:00:00", help="Slurm time limit per job (default 04:00:00)")
    p.add_argument("--partition", default=None, help="Slurm partition (queue)")
    p.add_argument("--account", default=None, help="Slurm account")
    p.add_argument("--workers", type=int, default=2, help="worker processes of the LocalCluster (default 2)")
    p.add_argument("--local", action="store_true", help="use a LocalCluster even where Slurm is available")
    p.add_argument("--quick", action="store_true", help="a tiny sweep: 40 small runs")
    p.add_argument("--print-job-script", action="store_true", help="print the Slurm job script and exit")
    args = p.parse_args()

    from dask.distributed import Client

    if args.print_job_script:
        with make_cluster(args) as cluster:
            print(cluster.job_script())
        return

    if args.quick:
        scenario = acsa.Scenario.default().replace({"voters.n": 300, "horizon_weeks": 52})
        design = acsa.designs.sobol(LEVERS, 4, replicates=2, calc_second_order=False)
    else:
        scenario = acsa.Scenario.default().replace({"horizon_weeks": 520})
        design = acsa.designs.sobol(LEVERS, 256, replicates=10, calc_second_order=False)
    print(design)

    with make_cluster(args) as cluster, Client(cluster) as client:
        if hasattr(cluster, "job_script"):
            cluster.scale(jobs=args.jobs)
        sw = acsa.sweep(scenario, design, seed=2026, store=args.out, executor=client.get_executor(), progress=not args.quick)
    print(sw)

    from SALib.analyze import sobol

    si = sobol.analyze(design.problem, sw.y("final_approval"), calc_second_order=False, seed=1)
    print(si.to_df()[0].to_string())


if __name__ == "__main__":
    main()
