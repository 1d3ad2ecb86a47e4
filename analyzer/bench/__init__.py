"""The product's own measuring harnesses: real-clip agreement (:mod:`.realclips`) and the id vocabulary they share."""
