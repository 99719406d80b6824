"""Audio input: file decoding now; ring buffer and microphone later."""
