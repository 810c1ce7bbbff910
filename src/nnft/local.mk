# nnft: neural-network field theory: kernels, correlators, ensembles (layer 4)
