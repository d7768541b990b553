"""The generated project's image without Docker: its filesystem built in a directory by
following the Dockerfile, and containers that run its ENTRYPOINT as a container runtime would.

- Build: COPY copies from the project; ENV, WORKDIR, USER and ENTRYPOINT are read as written;
  RUN lines run as root, with the image's paths moved into the sandbox, except two that need the
  network or the base image: `apt-get install` (this host must already have each package's
  files, see HOST_PACKAGES) and `pip install` (into a venv of the host's system Python, from
  pip's cache).
- Run: the ENTRYPOINT is PID 1 of its own PID namespace (unshare), as a random UID in group 0
  with no passwd entry and no supplementary groups (setpriv), HOME=/ (what Docker sets for a UID
  without an entry), the image's environment and working directory. Stopping a container
  signals its PID 1 only, as `docker stop` and the kubelet do; when PID 1 ends, the kernel ends
  everything else in the namespace.

Needs root (setpriv, unshare). Every path the Dockerfile creates lies under IMAGE_DIRS; the
sandbox holds them under its root, which other users may read, as in an image.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import random
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

IMAGE_DIRS = ("/app", "/data")
IMAGE_PATH = re.compile(r"(?<![\w.-])(?P<dir>" + "|".join(map(re.escape, IMAGE_DIRS))
                        + r")(?=/|\b)")
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Where the entrypoint looks for nss_wrapper: {/usr,}/lib{/*,}/libnss_wrapper.so
NSS_WRAPPER = ("/usr/lib/*/libnss_wrapper.so", "/usr/lib/libnss_wrapper.so",
               "/lib/*/libnss_wrapper.so", "/lib/libnss_wrapper.so")

# Each Debian package the Dockerfile installs, and how this host has to provide it instead.
HOST_PACKAGES = {
    "openjdk-17-jre-headless": ("java on PATH", lambda: shutil.which("java")),
    "libnss-wrapper": ("libnss_wrapper.so under /usr/lib or /lib",
                       lambda: any(glob.glob(pattern) for pattern in NSS_WRAPPER)),
    "tini": ("/usr/bin/tini", lambda: Path("/usr/bin/tini").is_file()),
}


class SandboxError(Exception):
    """A prerequisite is missing; str() says what to install or change."""


@dataclass
class Image:
    root: Path
    python: Path  # the venv that stands in for the image's system Python
    env: dict[str, str] = field(default_factory=dict)
    workdir: Path | None = None
    user: str = "root"
    entrypoint: list[str] = field(default_factory=list)

    def path(self, image_path: str) -> str:
        """An image path (or a text with some, such as local:///app/x.py) inside the sandbox."""
        return IMAGE_PATH.sub(lambda match: f"{self.root}{match['dir']}", image_path)

    def run_env(self) -> dict[str, str]:
        java_dir = os.path.dirname(shutil.which("java") or "/usr/bin/java")
        return {**self.env, "PATH": f"{self.python}/bin:{SYSTEM_PATH}:{java_dir}"}


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order: comment lines dropped, continuations joined."""
    lines = [line for line in dockerfile.read_text().splitlines()
             if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [(word.upper(), rest.strip()) for word, _, rest in
            (line.strip().partition(" ") for line in joined.splitlines() if line.strip())]


def image_env(dockerfile: Path) -> dict[str, str]:
    """The variables the Dockerfile's ENV lines set, as written."""
    return dict(pair.split("=", 1) for instruction, args in instructions(dockerfile)
                if instruction == "ENV" for pair in shlex.split(args))


def build(project: Path, root: Path, log=print) -> Image:
    """The image's filesystem under root, following project/Dockerfile."""
    image = Image(root, python=root / "usr" / "local")
    image.python.parent.mkdir(parents=True)
    for instruction, args in instructions(project / "Dockerfile"):
        if instruction in ("FROM", "LABEL", "VOLUME"):
            continue  # the host stands in for the base image; a volume is a plain directory
        elif instruction == "ENV":
            image.env.update(image.path(pair).split("=", 1) for pair in shlex.split(args))
        elif instruction == "COPY":
            source, target = shlex.split(args)
            copy(project / source, Path(image.path(target)))
        elif instruction == "RUN" and "apt-get install" in args:
            check_host_packages(args)
        elif instruction == "RUN" and args.startswith("pip install"):
            log(f"[image] RUN {args}: into a venv of the host's system Python (pip's cache)")
            install_python_packages(image, shlex.split(image.path(args))[-1])
        elif instruction == "RUN":
            log(f"[image] RUN {args}")
            run_as_root(image, args)
        elif instruction == "WORKDIR":
            image.workdir = Path(image.path(args))
            image.workdir.mkdir(parents=True, exist_ok=True)
        elif instruction == "USER":
            image.user = args
        elif instruction == "ENTRYPOINT":
            image.entrypoint = [image.path(arg) for arg in json.loads(args)]
        else:
            raise AssertionError(f"the sandbox does not know Dockerfile's {instruction}: "
                                 "teach tests/image_sandbox.py")
    return image


def copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        shutil.copy2(source, target)


def check_host_packages(apt_line: str) -> None:
    """`RUN apt-get update && apt-get install -y <options> <packages> && rm ...`"""
    install = apt_line.split("apt-get install", 1)[1].split("&&", 1)[0]
    for package in (word for word in install.split() if not word.startswith("-")):
        if package not in HOST_PACKAGES:
            raise AssertionError(f"the Dockerfile installs {package}, which the sandbox cannot "
                                 "stand in for: add it to HOST_PACKAGES in tests/image_sandbox.py")
        what, present = HOST_PACKAGES[package]
        if not present():
            raise SandboxError(f"{package} is missing on this host (the test needs {what}): "
                               f"apt-get install {package} (.ci/run installs it)")


def install_python_packages(image: Image, requirement: str) -> None:
    """What `pip install` does in the image, into a venv of the host's system Python: other
    users cannot always run the Python that runs pytest (pyenv, a venv under /root)."""
    system_python = shutil.which("python3", path=SYSTEM_PATH)
    if not system_python:
        raise SandboxError(f"no python3 in {SYSTEM_PATH}: the image's Python stands in there")
    subprocess.run([system_python, "-m", "venv", "--without-pip", str(image.python)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(image.python / "bin" / "python"),
                    "install", "--quiet", "--disable-pip-version-check", requirement],
                   check=True, timeout=1800)


def run_as_root(image: Image, command: str) -> None:
    result = subprocess.run(["/bin/sh", "-c", image.path(command)], cwd=image.workdir or image.root,
                            env={**image.run_env(), "HOME": "/root"}, capture_output=True,
                            text=True, timeout=1800)
    assert result.returncode == 0, f"RUN {command} failed:\n{result.stdout}\n{result.stderr}"


def new_sandbox() -> Path:
    """A directory other users may enter and read, as everything in an image."""
    root = Path(tempfile.mkdtemp(prefix="image-"))
    root.chmod(0o755)
    return root


def random_uid() -> int:
    """A UID with no passwd entry, as OpenShift assigns (its ranges start near 10^9)."""
    while True:
        uid = random.randrange(1_000_000_000, 2_000_000_000)
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid


def image_group(image: Image) -> int:
    _, _, group = image.user.partition(":")
    assert group.isdigit(), f"the Dockerfile's USER {image.user} should name a numeric group"
    return int(group)


def as_user(uid: int, gid: int) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]


def check_host() -> None:
    """Before anything is built: can this host start containers at all?"""
    if os.geteuid() != 0:
        raise SandboxError("the image test needs root to switch to a random UID (setpriv) and "
                           "to give each container its own PID namespace (unshare)")
    for tool in ("setpriv", "unshare"):
        if not shutil.which(tool):
            raise SandboxError(f"{tool} is missing: install util-linux")


def check_uid_can_run(image: Image, uid: int) -> None:
    """After the build: HOME=/ is read-only to uid, and uid can run java and the image's
    Python, as in the image (a Python under /root, such as pyenv's, would not do)."""
    gid = image_group(image)
    probe = ("test ! -w / || { echo 'HOME=/ is writable'; exit 1; }; "
             "java -version >/dev/null 2>&1 || { echo 'cannot run java'; exit 1; }; "
             "python3 -c 'import pyspark' || { echo 'cannot import pyspark'; exit 1; }")
    result = subprocess.run([*as_user(uid, gid), "/bin/sh", "-c", probe], env=image.run_env(),
                            cwd=image.root, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SandboxError(f"UID {uid} in group {gid} cannot use this host as the image: "
                           f"{(result.stdout + result.stderr).strip()} (are java and python3 "
                           "installed where other users can run them?)")


def child_pid(pid: int, timeout: float = 60) -> int:
    """The first child of pid (unshare's child becomes PID 1 of the new namespace)."""
    deadline = time.monotonic() + timeout
    children = Path(f"/proc/{pid}/task/{pid}/children")
    while time.monotonic() < deadline:
        found = children.read_text().split() if children.exists() else []
        if found:
            return int(found[0])
        time.sleep(0.1)
    raise AssertionError(f"process {pid} started no child within {timeout}s")


def pid_in_namespace(pid: int) -> int:
    """pid as its own PID namespace sees it (the last NSpid field)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("NSpid:"):
            return int(line.split()[-1])
    raise AssertionError(f"no NSpid line for process {pid}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
