# series: symmetric tensors and truncated multivariate series (layer 1)
