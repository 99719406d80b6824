"""The shell: main window, tray, wiring, quitting, threads and logs."""
