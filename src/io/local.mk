# io: model and data files, JSON (layer 1)
