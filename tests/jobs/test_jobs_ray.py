"""The Ray backend against a real ``ray start --head`` bound to 127.0.0.1 (started here, stopped by its pid).

This machine has no GPU: the head declares one GPU resource (``--num-gpus=1``) so that the jobs' GPU request
(``entrypoint_num_gpus=1``) is scheduled by Ray for real, and the training itself runs on the CPU."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from jobs_helpers import table_config, wait_state
from mmtl_core.errors import JobError
from mmtl_core.jobs.ray_backend import RayJobs, RayTarget, connect, submission_id
from mmtl_core.runs.registry import Registry
from ports import free_port
from train_helpers import wait_for

RAY_PORTS = ("port", "dashboard-port", "ray-client-server-port", "dashboard-agent-listen-port",
             "dashboard-agent-grpc-port", "runtime-env-agent-port", "metrics-export-port", "node-manager-port",
             "object-manager-port", "min-worker-port")


WORKER_PORTS = 50  # the head's workers take ports min-worker-port .. min-worker-port + 50


def ray_ports() -> dict[str, int]:
    """Every port the head needs, free, distinct, and none inside its workers' range: Ray refuses to start when
    one of its ports is also a worker port (CI met it once: "worker_ports is trying to use a port number ... that
    is used by other components")."""
    low = free_port()
    workers = range(low, low + WORKER_PORTS + 1)
    ports = {"min-worker-port": low}
    for name in RAY_PORTS:
        while name not in ports:
            port = free_port()
            if port not in workers and port not in ports.values():
                ports[name] = port
    return ports


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory):
    """A Ray head on loopback, every port free and chosen here (other Rays may run on this machine); its
    dashboard URL. Stopped by its pid: SIGTERM to ``ray start --block`` stops the processes it started."""
    ports = ray_ports()
    temp = Path(f"/tmp/ray{os.getpid()}")  # short: Ray's socket paths must fit in 107 characters
    log = tmp_path_factory.mktemp("ray") / "ray.log"
    # the job's entrypoint runs `python`: the one of the environment Ray was started in, as on a GPU box
    env = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    command = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block",
               "--node-ip-address=127.0.0.1", "--dashboard-host=127.0.0.1", f"--temp-dir={temp}", "--num-cpus=2",
               "--num-gpus=1", "--include-dashboard=true", "--disable-usage-stats",
               f"--max-worker-port={ports['min-worker-port'] + WORKER_PORTS}", *(f"--{k}={v}" for k, v in ports.items())]
    with open(log, "w") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{ports['dashboard-port']}"

    def up() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"ray start exited:\n{log.read_text()[-3000:]}")
        try:
            return urllib.request.urlopen(url + "/api/version", timeout=2).status == 200
        except OSError:
            return False

    try:
        wait_for(up, 120, "the Ray head")
        yield url
    finally:
        client = connect(url)
        for job in client.list_jobs():  # a test that failed half-way may leave one running
            if not job.status.is_terminal():
                client.stop_job(job.submission_id)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        subprocess.run(["rm", "-rf", str(temp)], check=False)


def test_ray_queues_jobs_for_the_gpu_and_one_is_cancelled_and_one_completes(queue, ray_head, tiny_encoder,
                                                                            tmp_path):
    target = RayTarget(ray_head.removeprefix("http://"), artifacts=str(tmp_path / "shared"), num_gpus=1)
    long = queue.launch(table_config(tmp_path / "long", tiny_encoder, epochs=100_000), ray=target)
    assert (long.backend, long.device, long.backend_address) == ("ray", "gpu:1", ray_head)
    wait_for(lambda: (queue.registry.get(long.id).progress or {}).get("step"), 120, "progress from the Ray job")
    assert queue.registry.get(long.id).state == "running"
    short = queue.launch(table_config(tmp_path / "short", tiny_encoder, epochs=2), ray=target)
    client = connect(ray_head)
    wait_for(lambda: queue.registry.get(short.id).state == "starting", 60, "the second job's submission")
    time.sleep(3)
    assert client.get_job_status(submission_id(short.id, 1)) == "PENDING"  # Ray holds it until the GPU is free
    assert queue.registry.get(short.id).state == "starting"

    queue.cancel(long.id)
    cancelled = wait_state(queue, long.id, ("cancelled", "failed", "lost"), timeout=90)
    assert cancelled.state == "cancelled" and client.get_job_status(long.id) == "STOPPED"
    assert cancelled.metrics and "stage 1 step" in Path(cancelled.log_path).read_text()  # partial, kept

    done = wait_state(queue, short.id, ("succeeded", "failed", "lost"), timeout=120)
    assert done.state == "succeeded", done.error
    assert done.metrics["review/review/dev/accuracy"] >= 0 and done.running_at and done.heartbeat_at
    run = Path(done.artifacts)
    assert run == queue.runs_dir.resolve() / short.id  # picked up from the shared folder into the workspace
    assert (run / "predictions" / "review" / "dev.parquet").exists() and (run / "weights").is_dir()
    log = Path(done.log_path).read_text()
    assert "Running training" in log and log.count("Running entrypoint") == 1  # copied once, from its offset
    assert done.functions["functions"] == []  # the job reported what it found
    RayJobs(queue.registry, queue.runs_dir).submit(done)  # a resubmission is idempotent
    assert [j.submission_id for j in client.list_jobs()].count(short.id) == 1


def test_an_unreachable_ray_head_is_a_clear_error_and_loses_nothing(queue, tiny_encoder, tmp_path):
    closed = f"127.0.0.1:{free_port()}"
    target = RayTarget(closed, artifacts=str(tmp_path / "shared"))
    started = time.monotonic()
    with pytest.raises(JobError, match=rf"cannot reach the Ray head at http://{closed} .*nothing was queued"):
        queue.launch(table_config(tmp_path / "data", tiny_encoder), ray=target)
    assert time.monotonic() - started < 30 and queue.registry.list_runs() == []
    # a head that goes away after the launch: the run waits, with a note, until it answers again
    registry: Registry = queue.registry
    registry.create_run("r1", name="r1", config={}, functions={}, artifacts=str(tmp_path / "r1"), backend="ray",
                        device="gpu:1", backend_address=f"http://{closed}", artifacts_url=str(tmp_path / "shared"))
    RayJobs(registry, queue.runs_dir, poll_s=0).poll(registry.list_runs(with_config=True))
    record = registry.get("r1")
    assert record.state == "starting" and "cannot reach the Ray head" in record.note
    RayJobs(registry, queue.runs_dir, poll_s=0).poll([record])
    assert registry.get("r1").state == "starting"  # still waiting, nothing lost


def test_the_heads_ports_are_distinct_and_outside_the_workers_range():
    for _ in range(50):
        ports = ray_ports()
        low = ports["min-worker-port"]
        others = [p for name, p in ports.items() if name != "min-worker-port"]
        assert set(ports) == set(RAY_PORTS) and len(set(ports.values())) == len(RAY_PORTS)
        assert not any(low <= p <= low + WORKER_PORTS for p in others)
