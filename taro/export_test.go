package taro

// Resident reports how many drivers from Config.Apps c holds.
func Resident(c *Client) int { return c.resident() }
