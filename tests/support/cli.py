import os
import shutil
import subprocess
import sys


def run_cli(*args, cwd=None, stdin=None, env=None):
    """Run the installed console script (falls back to ``python -m dockerlint_py``)."""
    exe = shutil.which("dockerlint")
    cmd = [exe] if exe else [sys.executable, "-m", "dockerlint_py"]
    full_env = dict(os.environ)
    full_env.pop("FORCE_COLOR", None)
    full_env.pop("NO_COLOR", None)
    if env:
        full_env.update(env)
    return subprocess.run(cmd + list(args), cwd=cwd, input=stdin, capture_output=True, text=True, env=full_env, timeout=120)
