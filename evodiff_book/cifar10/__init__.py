"""The CIFAR-10 pipeline: the book's network (`unet`), its training (`train`), FID
(`fid`) and timing (`bench`)."""
