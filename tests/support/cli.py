import os
import subprocess
import sys


def run_cli(*args, cwd=None, stdin=None, env=None):
    """Run the console script of the environment under test (the one beside this interpreter,
    never whichever ``dockerlint`` is first on PATH); ``python -m dockerlint_py`` without one."""
    exe = os.path.join(os.path.dirname(sys.executable), "dockerlint")
    cmd = [exe] if os.path.isfile(exe) else [sys.executable, "-m", "dockerlint_py"]
    full_env = dict(os.environ)
    full_env.pop("FORCE_COLOR", None)
    full_env.pop("NO_COLOR", None)
    if env:
        full_env.update(env)
    return subprocess.run(cmd + list(args), cwd=cwd, input=stdin, capture_output=True, text=True, env=full_env, timeout=120)
