# Marks this folder as the package ubu_tui.locales (mapped in setup.py), so that ubu finds its
# files through importlib.resources both in a checkout and in an installed wheel.
