"""Query functions and result Structs generated from sql/ by `tubebase db generate`."""
