// The signal frontends: audio features and image preprocessing (see the frontends issue).
