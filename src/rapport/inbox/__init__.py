"""The unified inbox: conversations, their messages and the contacts behind them."""
