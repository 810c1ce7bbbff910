# tests of module nnft (kernels, exact correlators, Monte Carlo)
