"""What every layer uses and that imports none of them: settings, paths, clock, dates, text keys, errors, words."""
